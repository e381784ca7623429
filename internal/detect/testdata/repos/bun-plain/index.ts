const server = Bun.serve({
  port: 3005,
  fetch(req) {
    return new Response('Bun!');
  },
});

console.log(`Listening on ${server.url}`);
