/** A configuration problem found before any I/O: names the file, line and key to fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly key: string | undefined;

  constructor(message: string, where: { file?: string; line?: number; key?: string } = {}) {
    super(message);
    this.file = where.file;
    this.line = where.line;
    this.key = where.key;
  }

  /** `erpbridge.yaml:12 (workflows.po-urgency.policy): message` */
  get location(): string {
    const place = [this.file, this.line].filter((part) => part !== undefined).join(':');
    const key = this.key ? ` (${this.key})` : '';
    return `${place}${key}`;
  }
}
