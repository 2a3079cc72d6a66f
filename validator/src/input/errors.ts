/** Thrown when the input cannot be read at all: the CLI exits 2, not 1. */
export class UnreadableInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableInputError';
  }
}
