import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { Authenticator } from './auth.js';
import { reloadIncompatibility, type WebConfig } from './web-config.js';

/** The web configuration in force; a reload swaps credentials, headers and certificates in place. */
export class WebState {
  private authenticatorOf: Authenticator;
  private server: Server | HttpsServer | undefined;

  constructor(private current: WebConfig) {
    this.authenticatorOf = new Authenticator(current);
  }

  get config(): WebConfig {
    return this.current;
  }

  get authenticator(): Authenticator {
    return this.authenticatorOf;
  }

  attach(server: Server | HttpsServer): void {
    this.server = server;
  }

  /** Throws (keeping the current one) when the change needs a restart. */
  apply(next: WebConfig): void {
    const problem = reloadIncompatibility(this.current, next);
    if (problem) throw new Error(problem);
    const authenticator = new Authenticator(next);
    if (next.tls && this.server && 'setSecureContext' in this.server) this.server.setSecureContext(next.tls.context);
    this.current = next;
    this.authenticatorOf = authenticator;
  }
}
