import type {
  ContentTypeEncoder,
  Diagnostic,
  Message,
  PublishDiagnosticsParams,
} from 'vscode-languageserver/node';

/**
 * Each published diagnostic as UTF-8 JSON followed by a comma, serialized once. The diagnostics
 * of a document an edit did not change are the very same objects at every publish (diagnostics.ts
 * caches them and never mutates one), so after a one-line edit only the changed documents'
 * diagnostics are serialized, and the rest of a file's list (megabytes for thousands of
 * diagnostics) is copied from here into the message.
 */
const serialized = new WeakMap<Diagnostic, Buffer>();

/** A message as UTF-8 JSON: `JSON.stringify`, with published diagnostics taken from the cache. */
export function messageBytes(message: Message, charset: 'ascii' | 'utf-8' = 'utf-8'): Buffer {
  if (!isPublishDiagnostics(message) || charset !== 'utf-8') {
    return Buffer.from(JSON.stringify(message), charset);
  }
  const { params, ...envelope } = message;
  const { diagnostics, ...fields } = params;
  // The objects are closed by hand: `diagnostics` is the last field of `params`, and `params`
  // the last of the message.
  const open = JSON.stringify({ ...envelope, params: fields }).slice(0, -2);
  const head = Buffer.from(`${open}${open.endsWith('{') ? '' : ','}"diagnostics":[`);
  const tail = Buffer.from(']}}');
  const items = diagnostics.map((diagnostic) => {
    let json = serialized.get(diagnostic);
    if (json === undefined) {
      json = Buffer.from(`${JSON.stringify(diagnostic)},`);
      serialized.set(diagnostic, json);
    }
    return json;
  });
  // Every item ends in a comma; the last one is copied without it.
  const itemBytes = items.reduce((sum, item) => sum + item.length, 0) - (items.length > 0 ? 1 : 0);
  const bytes = Buffer.allocUnsafe(head.length + itemBytes + tail.length);
  // `set`, not `Buffer.copy`: a call per diagnostic, and `set` costs a quarter as much.
  bytes.set(head, 0);
  let offset = head.length;
  items.forEach((item, index) => {
    const copied = index === items.length - 1 ? item.subarray(0, item.length - 1) : item;
    bytes.set(copied, offset);
    offset += copied.length;
  });
  bytes.set(tail, offset);
  return bytes;
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
      return Promise.resolve(messageBytes(message, options.charset));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  },
};
