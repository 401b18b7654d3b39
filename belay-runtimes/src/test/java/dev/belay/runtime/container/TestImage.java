package dev.belay.runtime.container;

/**
 * The image the container tests run: {@code BELAY_TEST_IMAGE}, by default the one .ci/run builds from a Debian
 * rootfs (bash, coreutils, python3), since no registry is reachable from the test machines.
 */
final class TestImage {

    private TestImage() {}

    static String name() {
        String image = System.getenv("BELAY_TEST_IMAGE");
        return image == null || image.isBlank() ? "localhost/belay-test-base:latest" : image;
    }
}
