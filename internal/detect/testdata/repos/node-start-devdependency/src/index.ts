import Fastify from "fastify";
const app = Fastify();
app.listen({ port: 3001, host: "0.0.0.0" });
