// The function for bin/benchmark http (and the callback receiver of bin/benchmark pipeline): answers every
// request 200 with a two-byte body once it has read the request's body, on HTTP/1.1 keep-alive connections,
// and counts them; GET /count answers that count (not counted itself). Usage: node function-server.js [port];
// prints "listening <port>" when ready. Node runs it on one thread, in a process of its own.
'use strict';
const http = require('http');

const port = parseInt(process.argv[2] || '0', 10);
const body = Buffer.from('ok');
const headers = { 'Content-Type': 'text/plain', 'Content-Length': body.length };

let received = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(String(received));
    return;
  }
  received++;
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, headers);
    res.end(body);
  });
});
// Clients keep their connections between repetitions: idle ones must not be closed under them.
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;
server.maxRequestsPerSocket = 0;
server.listen(port, '127.0.0.1', () => {
  console.log('listening ' + server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
