const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PORT = process.env.PORT || 7000;

function main() {
  const def = protoLoader.loadSync(path.join(__dirname, 'proto/demo.proto'));
  const proto = grpc.loadPackageDefinition(def).hipstershop;
  const server = new grpc.Server();
  server.addService(proto.CurrencyService.service, { getSupportedCurrencies() {}, convert() {} });
  server.bindAsync(`0.0.0.0:${PORT}`, grpc.ServerCredentials.createInsecure(), () => {});
}

main();
