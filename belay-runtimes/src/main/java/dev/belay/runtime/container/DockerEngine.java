package dev.belay.runtime.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * A Docker Engine API endpoint: Docker itself, or podman's Docker-compatible service.
 *
 * @param client the API client
 * @param host where it listens, for the exec connections Belay opens itself
 */
public record DockerEngine(DockerClient client, URI host) implements AutoCloseable {

    /**
     * The engine {@code DOCKER_HOST} names (the local Docker socket by default), checked with a ping.
     *
     * @throws IllegalStateException with one line naming the fix
     */
    public static DockerEngine connect() {
        DockerClientConfig settings =
                DefaultDockerClientConfig.createDefaultConfigBuilder().build();
        DockerClient docker = DockerClientImpl.getInstance(
                settings,
                new ApacheDockerHttpClient.Builder()
                        .dockerHost(settings.getDockerHost())
                        .sslConfig(settings.getSSLConfig())
                        .connectionTimeout(Duration.ofSeconds(5))
                        .maxConnections(256)
                        .build());
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new IllegalStateException("no Docker engine answers at " + settings.getDockerHost() + " ("
                    + ContainerRuntime.firstLine(e) + "); start Docker, or podman's service (podman system service "
                    + "--time=0 unix:///tmp/podman.sock) and set DOCKER_HOST=unix:///tmp/podman.sock");
        }
        return new DockerEngine(docker, settings.getDockerHost());
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            // the connection pool is going away with the process anyway
        }
    }
}
