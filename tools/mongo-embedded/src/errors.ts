// MongoDB-shaped command errors. Drivers branch on `code` (e.g. 11000 → duplicate key,
// 59 → unknown command), so every failure we report carries the real server's code and codeName.

export const ErrorCodes = {
  InternalError: 1,
  BadValue: 2,
  FailedToParse: 9,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  CannotCreateIndex: 67,
  Location40324: 40324,
  DuplicateKey: 11000,
  BSONObjectTooLarge: 10334,
} as const;

const codeNames: Record<number, string> = Object.fromEntries(
  Object.entries(ErrorCodes).map(([name, code]) => [code, name]),
);

export class MongoCommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get codeName(): string {
    return codeNames[this.code] ?? 'UnknownError';
  }

  toReply(): Record<string, unknown> {
    return { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
  }
}

export const badValue = (msg: string): MongoCommandError => new MongoCommandError(ErrorCodes.BadValue, msg);

/**
 * mingo throws plain Errors for invalid query/update/pipeline syntax. Translate the common ones into
 * the messages MongoDB uses so callers that match on errmsg behave the same against both servers.
 */
export function fromMingoError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  let m: RegExpMatchArray | null;
  if (/immutable field '_id'/.test(msg)) {
    return new MongoCommandError(66, "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
  if ((m = msg.match(/^unknown query operator (\$\w+)/))) return badValue(`unknown operator: ${m[1]}`);
  if ((m = msg.match(/^Unknown update operator: '(\$\w+)'/))) {
    return new MongoCommandError(
      ErrorCodes.FailedToParse,
      `Unknown modifier: ${m[1]}. Expected a valid update modifier or pipeline-style update specified as an array`,
    );
  }
  if ((m = msg.match(/pipeline operator '(\$\w+)' is not registered|Unregistered pipeline operator (\$\w+)/i))) {
    return new MongoCommandError(ErrorCodes.Location40324, `Unrecognized pipeline stage name: '${m[1] ?? m[2]}'`);
  }
  return badValue(msg);
}
