import { ParsedMail, simpleParser } from 'mailparser';
import { AddressInfo, createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server inside the test process (its bundled certificate has expired: no STARTTLS). */
export class SmtpSink {
  readonly messages: ParsedMail[] = [];
  private server: SMTPServer | null = null;

  /**
   * `port` 0 (the default): the server takes a free port when it starts, which `port` then holds.
   * A port probed first (`freePort`) and listened on later can be taken meanwhile by another process
   * of the run (CI runs the SQLite and PostgreSQL passes side by side, each binding ports all the
   * time): only the tests whose app must know the address before the server is up probe one.
   */
  constructor(
    public port = 0,
    private readonly options: { refuse?: (to: string) => boolean } = {},
  ) {}

  static async freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}/?ignoreTLS=true`;
  }

  async start(): Promise<void> {
    this.server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onRcptTo: (address, _session, callback) => {
        if (this.options.refuse?.(address.address)) {
          const err = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
          return callback(err);
        }
        callback();
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
