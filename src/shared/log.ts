/**
 * The one log interface every module takes. The Reporter makes one for the
 * run and one per clip (prefixed among several clips), and decides how lines
 * and groups are laid out; modules only say what happened.
 */
export interface Log {
  info(message: string): void;
  /** Something the user should know that does not stop the work (a warning annotation). */
  warning(message: string): void;
  debug(message: string): void;
  /** A part of the work under a title: a collapsible log group, or a line where groups cannot be used. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

/** A log that drops everything: for callers that have nothing to say to the user. */
export const SILENT: Log = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_title, work) => work(),
};
