package hipstershop;

import io.grpc.Server;
import io.grpc.ServerBuilder;

public final class AdService {
    private Server server;

    private void start() throws java.io.IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "9555"));
        server = ServerBuilder.forPort(port).addService(new AdServiceImpl()).build().start();
    }

    public static void main(String[] args) throws Exception {
        new AdService().start();
    }
}
