import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Node refuses an oversized request line or header block (a URL over 16 KB), or bytes that are not
 * HTTP, before Express sees the request, and by default answers with a status and an empty body.
 * This answers in the API's error shape instead, so the caller reads what was wrong.
 */
export function answerMalformedHttp(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // A client that went away has nobody to read an answer.
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, error, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'the request line and headers are larger than the limit of 16 KB (is the URL that long?)']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request was not received in time']
          : [400, 'Bad Request', `malformed HTTP request (${err.code ?? 'unparseable'})`];
    const body = JSON.stringify({ statusCode: status, error, message });
    socket.end(
      `HTTP/1.1 ${status} ${error}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
