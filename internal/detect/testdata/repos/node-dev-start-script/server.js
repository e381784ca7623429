const express = require('express');
const http = require('http');
const { Server } = require('socket.io');

const app = express();
const server = http.createServer(app);
new Server(server);

const PORT = process.env.PORT || 5000;
server.listen(PORT);
