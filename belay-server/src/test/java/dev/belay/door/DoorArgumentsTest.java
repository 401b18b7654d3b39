package dev.belay.door;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arguments the door fuzzing found troublesome, kept as plain tests with the exact answer a client should get. */
class DoorArgumentsTest {

    @Test
    void hugeNumbersAreInvalidArgumentsNotServerErrors(@TempDir Path dir) throws Exception {
        // found by the generator: 1e308 passes a schema's "integer", then broke the validator's "minimum" and asInt
        try (DoorFixture doors = new DoorFixture(dir)) {
            for (String[] call : List.of(
                    new String[] {"history", "{\"skip\": 1e308}"},
                    new String[] {"history", "{\"limit\": 1e308}"},
                    new String[] {"download_file", "{\"path\": \"a.txt\", \"offset\": 1e308}"},
                    new String[] {"read_file", "{\"path\": \"a.txt\", \"offset\": 123456789012345678901234567890}"})) {
                HttpResponse<String> r = doors.post("/api/" + call[0], call[1], null);
                assertThat(r.statusCode())
                        .as(call[0] + " " + call[1] + ": " + r.body())
                        .isEqualTo(400);
            }
        }
    }
}
