/**
 * Placeholder detection: the lesson of scanning real Python environments. Libraries and docs are full of
 * secrets that are not secrets ("AKIAIOSFODNN7EXAMPLE", "postgresql://user:password@localhost",
 * "${NPM_TOKEN}", "<your-token>", "xxxxxxxx"); these tests reject them by form, never by path.
 */

/** Words that mark a value as an example when they occur anywhere in it (case-insensitive). */
export const DEFAULT_STOPWORDS: readonly string[] = [
  "example",
  "sample",
  "dummy",
  "placeholder",
  "changeme",
  "change_me",
  "change-me",
  "your_",
  "your-",
  "yourtoken",
  "yourkey",
  "yourpassword",
  "redacted",
  "fake",
  "xxxxx",
  "notreal",
  "not_real",
  "insert_",
  "replace_me",
  "replaceme",
];

/** Template and reference syntax: shell/compose variables, Jinja, %-format, angle-bracket slots, masks. */
const TEMPLATE =
  /^\$|\$\{|\$\(|\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_.]*\}|^<[^>]*>$|<[A-Za-z_ -]+>|%\(|%s|\*\*\*|\.\.\.|^%[A-Z_]+%$|os\.environ|getenv|env\(/i;

/** Values that are words of a tutorial, not credentials, when they make up the whole password. */
const WORD_PASSWORDS = new Set([
  "password", "passwd", "pass", "pwd", "pw", "secret", "secrets", "changeme", "admin", "root", "guest", "test",
  "testing", "tiger", "user", "username", "postgres", "postgresql", "mysql", "mariadb", "redis", "mongo",
  "mongodb", "rabbitmq", "amqp", "example", "foo", "bar", "baz", "foobar", "xxx", "dbpass", "dbpassword",
  "mypassword", "mypass", "mysecret", "yourpassword", "your_password", "letmein", "default", "none", "null",
  "nil", "true", "false", "private", "token", "apikey", "api_key", "key", "s3cr3t", "hunter2", "qwerty",
  "123456", "12345678", "pa55word", "p4ssw0rd", "passw0rd", "pass123", "password123", "secret123", "sekrit",
  "app", "dev", "development", "local", "localhost", "demo", "str", "string", "undefined", "empty",
]);

/** True when `value` contains one of `stopwords` (case-insensitive). */
export function hasStopword(value: string, stopwords: readonly string[]): boolean {
  const lower = value.toLowerCase();
  return stopwords.some((w) => w.length > 0 && lower.includes(w.toLowerCase()));
}

/** True for template syntax, masks, runs of one character or values with almost no character variety. */
export function looksLikeTemplate(value: string): boolean {
  if (TEMPLATE.test(value)) return true;
  return new Set(value.toLowerCase()).size <= 3;
}

/**
 * True when a password taken from a URL or an assignment is obviously not a real one: a tutorial word, the
 * user name again, template syntax, or an example marker. A real-looking password, even a weak one such as
 * "Tr0ub4dor", is not a placeholder.
 */
export function isPlaceholderPassword(password: string, user = ""): boolean {
  const p = password.trim().replace(/^["']|["']$/g, "");
  if (p.length === 0) return true;
  if (user !== "" && p.toLowerCase() === user.toLowerCase()) return true;
  if (WORD_PASSWORDS.has(p.toLowerCase())) return true;
  return looksLikeTemplate(p) || hasStopword(p, DEFAULT_STOPWORDS);
}
