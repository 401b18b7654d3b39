package dev.belay.door.mcp;

import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * A transport of one session (stdio) that also delivers a notification meant for one session: the SDK sends
 * {@code notifications/resources/updated} to each subscribed session by its id, and a transport with a single client
 * is that session whatever the id.
 */
record OneSessionTransport(McpServerTransportProvider transport) implements McpServerTransportProvider {

    @Override
    public void setSessionFactory(McpServerSession.Factory sessionFactory) {
        transport.setSessionFactory(sessionFactory);
    }

    @Override
    public Mono<Void> notifyClients(String method, Object params) {
        return transport.notifyClients(method, params);
    }

    @Override
    public Mono<Void> notifyClient(String sessionId, String method, Object params) {
        return transport.notifyClients(method, params);
    }

    @Override
    public Mono<Void> closeGracefully() {
        return transport.closeGracefully();
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public List<String> protocolVersions() {
        return transport.protocolVersions();
    }
}
