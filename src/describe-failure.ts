// Routine failures (a port in use, a server out of reach, a forge's refusal) are told in one line a
// user can act on; the stack trace is only for LOG_LEVEL=debug or trace.

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

/** One line for a failure, or undefined when it is no routine one (a bug: show the stack). */
export function describeFailure(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const sys = systemError(err);
  if (sys?.syscall === 'listen' && sys.code === 'EADDRINUSE') {
    return `port ${sys.port} is already in use: stop the process that holds it, or set PORT to another port`;
  }
  if (sys?.syscall === 'listen' && sys.code === 'EACCES') {
    return `no permission to listen on port ${sys.port}: set PORT to a port above 1023`;
  }
  const forge = forgeRefusal(err);
  if (forge) return forge;
  if (sys?.code && UNREACHABLE[sys.code]) {
    const where = sys.hostname ?? (sys.address ? `${sys.address}${sys.port ? `:${sys.port}` : ''}` : undefined);
    return `cannot reach ${where ?? 'a server'}: ${UNREACHABLE[sys.code]} (${sys.code}) — ${err.message}`;
  }
  return undefined;
}

/** Node's own error, or the one a fetch failure or a library wraps in `cause`. */
function systemError(err: Error): SystemError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (typeof (e as SystemError).code === 'string') return e as SystemError;
    // AggregateError: Node's happy-eyeballs connect tries several addresses.
    if (e instanceof AggregateError && e.errors[0] instanceof Error) return systemError(e.errors[0]);
  }
  return undefined;
}

/** An HTTP answer from GitHub (Octokit's RequestError) or GitLab (gitbeaker's GitbeakerRequestError). */
function forgeRefusal(err: Error): string | undefined {
  const octokit = err as Error & { status?: number; request?: { method?: string; url?: string } };
  if (typeof octokit.status === 'number' && octokit.status >= 400 && octokit.request?.url) {
    return `GitHub answered ${octokit.status} to ${octokit.request.method ?? 'a request'} ${octokit.request.url}: ${firstLine(err.message)}`;
  }
  const cause = err.cause as { request?: { method?: string; url?: string }; response?: { status?: number } } | undefined;
  if (err.name === 'GitbeakerRequestError' && cause?.response?.status) {
    return `GitLab answered ${cause.response.status} to ${cause.request?.method ?? 'a request'} ${cause.request?.url ?? ''}: ${firstLine(err.message)}`;
  }
  return undefined;
}

const firstLine = (text: string) => text.split('\n')[0]!.slice(0, 300);
