// The CLI's public entry. Commands are registered in main.ts (COMMANDS), never by importing a module here.
export { main, COMMANDS, findCommand } from './main';
