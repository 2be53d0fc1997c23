// Terminal escape sequences (CSI: colours, cursor moves) in text from elsewhere: IPython's coloured tracebacks, a
// build step's output. Taken out for a stream that is no terminal (a CI log, a file) and before text is matched.

const escapes = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** The text without terminal escape sequences. */
export function withoutEscapes(text: string): string {
  return text.replace(escapes, '');
}
