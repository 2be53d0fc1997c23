// A cell that failed because it reached for the network, which a container run does not have (run.network: none):
// name resolution, an unreachable network or a URL that could not be opened, as Python, R and Node.js word them.
import { withoutEscapes } from '../escapes.ts';

const networkPhrase =
  /Temporary failure in name resolution|Name or service not known|No address associated with hostname|Network is unreachable|Could(?: not|n't) resolve host|cannot open URL|cannot open the connection to '(?:https?|ftp):|\bgetaddrinfo\b/i;
/** Node.js's error codes, in capitals only (FileNotFoundError holds "ENotFound"). */
const networkCode = /\b(?:EAI_AGAIN|ENOTFOUND|ENETUNREACH)\b/;

/** Whether an error (its name, message and traceback) says the cell could not reach the network. */
export function isNetworkFailure(failure: { ename?: string; evalue?: string; traceback?: readonly string[] }): boolean {
  // Coloured tracebacks' (IPython's) escape sequences would split the words matched.
  const text = withoutEscapes([failure.ename ?? '', failure.evalue ?? '', ...(failure.traceback ?? [])].join('\n'));
  return networkPhrase.test(text) || networkCode.test(text);
}

/** What to do about it, for a hint or a TODO. */
export const noNetworkHint =
  'Notebooks run with no network (run.network: none): put what the cell downloads into the repository and read it from there ' +
  '(a large file as a data: entry with its URL and sha256, which `repro fetch` puts in place before the run)';
