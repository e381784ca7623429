const http = require('http');
const { WebSocketServer } = require('ws');

const server = http.createServer();
new WebSocketServer({ server });
server.listen(process.env.PORT || 7070);
