// e2e tests drive real processes: controllers, kwok and CoreDNS take seconds, not milliseconds.
jest.setTimeout(300_000);
