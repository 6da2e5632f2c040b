// What a failed gitbeaker request says: GitLab's HTTP status and its explanation, which gitbeaker
// keeps in the error's cause.
import { GitbeakerRequestError } from '@gitbeaker/rest';

export function gitbeakerRequestFailure(err: unknown): { status?: number; description: string } | undefined {
  if (!(err instanceof GitbeakerRequestError)) return undefined;
  const cause = err.cause as { response?: Response; description?: string } | undefined;
  return { status: cause?.response?.status, description: cause?.description ?? err.message };
}
