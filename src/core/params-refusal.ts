import type { IncomingMessage, ServerResponse } from 'http';
import { HTML_TYPE, sendBody, sendError } from './errors';
import { log } from './log';
import { InvalidParameters, ParameterLimit, parseParams } from './rack-params';

/*
 * No express here: worker processes check the query of file requests with this and load no
 * express (see cluster-worker.ts).
 */

const RACK_HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#x27;', '"': '&quot;', '/': '&#x2F;' };

function rackEscapeHtml(text: string): string {
  return text.replace(/[&<>'"/]/g, (c) => RACK_HTML_ESCAPES[c]);
}

export function isParamsFailure(err: unknown): err is InvalidParameters | ParameterLimit {
  return err instanceof InvalidParameters || err instanceof ParameterLimit;
}

/**
 * The baseline's answer when Rack refuses the parameters. Sinatra parses them before any filter
 * runs, so this comes before authorization. Its BadRequest text is HTML-escaped once when raised
 * and once more when rendered; the nesting limit is not rescued at all (a 500 there).
 */
export function sendParamsFailure(req: IncomingMessage, res: ServerResponse, err: InvalidParameters | ParameterLimit): void {
  if (err instanceof InvalidParameters) {
    log.debug(`Invalid query parameters: ${err.message}`);
    sendBody(req, res, 400, HTML_TYPE, `Invalid query parameters: ${rackEscapeHtml(rackEscapeHtml(err.message))}`);
    return;
  }
  log.error(`Refused the parameters of ${req.method} ${req.url}: ${err.message}`);
  sendError(req, res, 500, err.message);
}

/**
 * For handlers served outside express (file mounts): checks the query as the baseline's app
 * would parse it. False when it was refused, and then answered.
 */
export function queryAccepted(req: IncomingMessage, res: ServerResponse, query: string): boolean {
  try {
    parseParams(query, 'query');
    return true;
  } catch (err) {
    if (!isParamsFailure(err)) throw err;
    sendParamsFailure(req, res, err);
    return false;
  }
}
