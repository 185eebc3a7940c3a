// Errors that carry the status and page a visitor should see; thrown by middleware, rendered by the error handler.

/** An expected failure of a request: `status` picks the error page; nothing of `message` is shown. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 405 | 413 | 414 | 415 | 429 | 500 | 503,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
