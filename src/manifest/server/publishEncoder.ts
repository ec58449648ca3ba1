import type {
  ContentTypeEncoder,
  Diagnostic,
  Message,
  PublishDiagnosticsParams,
} from 'vscode-languageserver/node';

/**
 * JSON of each published diagnostic, serialized once. The diagnostics of a document an edit did
 * not change are the very same objects at every publish (diagnostics.ts caches them and never
 * mutates one), so after a one-line edit only the changed documents' diagnostics are serialized
 * and the rest of a file's list (megabytes for thousands of diagnostics) is joined from here.
 */
const serialized = new WeakMap<Diagnostic, string>();

/** A message as JSON text: `JSON.stringify`, with published diagnostics taken from the cache. */
export function messageJson(message: Message): string {
  if (!isPublishDiagnostics(message)) {
    return JSON.stringify(message);
  }
  const { params, ...envelope } = message;
  const { diagnostics, ...fields } = params;
  const items = diagnostics.map((diagnostic) => {
    let json = serialized.get(diagnostic);
    if (json === undefined) {
      json = JSON.stringify(diagnostic);
      serialized.set(diagnostic, json);
    }
    return json;
  });
  // Both objects are closed by hand: `diagnostics` is the last field of `params`, and `params`
  // the last of the message.
  const head = JSON.stringify({ ...envelope, params: fields }).slice(0, -2);
  const separator = head.endsWith('{') ? '' : ',';
  return `${head}${separator}"diagnostics":[${items.join(',')}]}}`;
}

function isPublishDiagnostics(
  message: Message,
): message is Message & { method: string; params: PublishDiagnosticsParams } {
  const { method, params } = message as { method?: unknown; params?: unknown };
  return (
    method === 'textDocument/publishDiagnostics' &&
    typeof params === 'object' &&
    params !== null &&
    Array.isArray((params as { diagnostics?: unknown }).diagnostics)
  );
}

/** The connection's JSON encoder (vscode-jsonrpc's own, but for the cache above). */
export const publishEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode(message, options) {
    try {
      return Promise.resolve(Buffer.from(messageJson(message), options.charset));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};
