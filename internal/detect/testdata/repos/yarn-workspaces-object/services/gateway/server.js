const app = require('fastify')();
app.listen({ port: 8000, host: '0.0.0.0' });
