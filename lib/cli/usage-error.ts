/** Bad usage (an unknown flag, a value of the wrong form): the CLI prints it with the command's help and exits 2. */
export class UsageError extends Error {}
