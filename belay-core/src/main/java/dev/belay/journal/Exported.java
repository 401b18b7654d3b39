package dev.belay.journal;

import java.util.List;

/**
 * What {@code belay journal export} made in the user's repository.
 *
 * @param head the new branch's commit
 * @param commits how many commits the branch has on top of the user's HEAD
 * @param files the paths the exported changes touch
 */
public record Exported(String branch, String head, int commits, List<String> files) {

    public Exported {
        files = List.copyOf(files);
    }
}
