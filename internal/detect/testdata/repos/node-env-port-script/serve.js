const handler = require('serve-handler');
const http = require('http');
http.createServer((req, res) => handler(req, res)).listen(process.env.PORT);
