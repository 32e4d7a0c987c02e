import type {
  ExecHandler,
  ExecMatcher,
  PortForwardMatcher,
  PortForwardTarget,
  StreamHandlerRegistration,
} from './handler-types.js';

/** What an exec or attach asks for, to be matched against the registered handlers. */
export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  command: readonly string[];
}

interface Entry<M, H> {
  matcher: M;
  handler: H;
  /** Registered through the control API (listed and cleared there). */
  fromControl: boolean;
}

function commandMatches(matcher: ExecMatcher['command'], argv: readonly string[]): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'function') return matcher(argv);
  if (matcher instanceof RegExp) return matcher.test(argv.join(' '));
  if (typeof matcher === 'string') return argv[0] === matcher || argv.join(' ') === matcher;
  return matcher.length === argv.length && matcher.every((arg, i) => arg === argv[i]);
}

function execMatches(matcher: ExecMatcher, target: ExecTarget, attach: boolean): boolean {
  if (matcher.namespace !== undefined && matcher.namespace !== target.namespace) return false;
  if (matcher.pod !== undefined && matcher.pod !== target.pod) return false;
  if (matcher.container !== undefined && matcher.container !== target.container) return false;
  return attach || commandMatches(matcher.command, target.command);
}

/**
 * The handlers tests registered for exec, attach and port-forward. The most recently registered handler
 * that matches answers, so a test can override a broader one.
 */
export class StreamHandlers {
  private exec: Entry<ExecMatcher, ExecHandler>[] = [];
  private attach: Entry<ExecMatcher, ExecHandler>[] = [];
  private portForward: Entry<PortForwardMatcher, PortForwardTarget>[] = [];

  /** Adds an exec handler. */
  onExec(matcher: ExecMatcher, handler: ExecHandler, fromControl = false): StreamHandlerRegistration {
    return this.add(this.exec, { matcher, handler, fromControl });
  }

  /** Adds an attach handler. */
  onAttach(matcher: ExecMatcher, handler: ExecHandler, fromControl = false): StreamHandlerRegistration {
    return this.add(this.attach, { matcher, handler, fromControl });
  }

  /** Adds a port-forward target. */
  onPortForward(
    matcher: PortForwardMatcher,
    target: PortForwardTarget,
    fromControl = false,
  ): StreamHandlerRegistration {
    return this.add(this.portForward, { matcher, handler: target, fromControl });
  }

  /** The exec handler for a request, if any. */
  findExec(target: ExecTarget): ExecHandler | undefined {
    return this.exec.findLast((e) => execMatches(e.matcher, target, false))?.handler;
  }

  /** The attach handler for a request, if any. */
  findAttach(target: ExecTarget): ExecHandler | undefined {
    return this.attach.findLast((e) => execMatches(e.matcher, target, true))?.handler;
  }

  /** The port-forward target for a connection, if any. */
  findPortForward(namespace: string, pod: string, port: number): PortForwardTarget | undefined {
    return this.portForward.findLast(
      ({ matcher: m }) =>
        (m.namespace === undefined || m.namespace === namespace) &&
        (m.pod === undefined || m.pod === pod) &&
        (m.port === undefined || m.port === port),
    )?.handler;
  }

  /** The control API's registrations, as JSON (functions are never there). */
  listControl(): { exec: unknown[]; attach: unknown[]; portForward: unknown[] } {
    const plain = <M, H>(list: Entry<M, H>[]): unknown[] =>
      list.filter((e) => e.fromControl).map((e) => ({ ...e.matcher, ...(e.handler as object) }));
    return { exec: plain(this.exec), attach: plain(this.attach), portForward: plain(this.portForward) };
  }

  /** Removes every handler (or only the control API's). */
  clear(onlyControl = false): void {
    const keep = <M, H>(list: Entry<M, H>[]): Entry<M, H>[] =>
      onlyControl ? list.filter((e) => !e.fromControl) : [];
    this.exec = keep(this.exec);
    this.attach = keep(this.attach);
    this.portForward = keep(this.portForward);
  }

  private add<M, H>(list: Entry<M, H>[], entry: Entry<M, H>): StreamHandlerRegistration {
    list.push(entry);
    return {
      remove: () => {
        const index = list.indexOf(entry);
        if (index >= 0) list.splice(index, 1);
      },
    };
  }
}
