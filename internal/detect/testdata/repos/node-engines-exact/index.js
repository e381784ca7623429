const f = require("fastify")(); f.listen({ port: process.env.PORT || 3000, host: "0.0.0.0" });
