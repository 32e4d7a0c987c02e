/** Where the server reads the time: token expiry, timestamps, ages and sa-dir rotation all ask it. */
export interface Clock {
  now(): Date;
}

/** The real time. */
export const systemClock: Clock = { now: () => new Date() };
