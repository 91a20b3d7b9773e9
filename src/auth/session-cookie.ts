/** The staff browser session cookie (its value is the session token). */
export const SESSION_COOKIE = 'ogi_session';
