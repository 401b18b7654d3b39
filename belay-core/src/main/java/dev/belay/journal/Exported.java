package dev.belay.journal;

import java.util.List;

/**
 * What {@code belay journal export} made in the user's repository.
 *
 * @param head the new branch's commit
 * @param base the commit the branch starts from: the user's HEAD, or the one below an earlier Belay's commits
 * @param commits how many commits the branch has on top of its base
 * @param files the paths the exported changes touch
 */
public record Exported(String branch, String head, String base, int commits, List<String> files) {

    public Exported {
        files = List.copyOf(files);
    }
}
