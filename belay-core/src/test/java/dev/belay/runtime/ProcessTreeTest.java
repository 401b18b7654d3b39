package dev.belay.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A command's process group is killed whole, background children included, and a gone group is no error. */
class ProcessTreeTest {

    @Test
    void killingAGroupKillsItsBackgroundChildrenAndAGoneGroupIsHarmless() throws Exception {
        Process leader = new ProcessBuilder("setsid", "sh", "-c", "sleep 1000.0613 & echo $!; wait")
                .redirectErrorStream(true)
                .start();
        long child;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(leader.getInputStream(), StandardCharsets.UTF_8))) {
            child = Long.parseLong(out.readLine().strip());
        }
        Optional<ProcessHandle> background = ProcessHandle.of(child);
        assertThat(background).as("the background child runs").isPresent();

        ProcessTree.killGroup(leader.pid());

        assertThat(leader.waitFor(10, TimeUnit.SECONDS)).as("the leader died").isTrue();
        assertThat(background.get().onExit().get(10, TimeUnit.SECONDS).isAlive())
                .as("the background child died with its group")
                .isFalse();
        ProcessTree.killGroup(leader.pid()); // the group is gone now: nothing to do, nothing thrown
    }
}
