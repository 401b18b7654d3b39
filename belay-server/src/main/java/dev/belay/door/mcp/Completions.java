package dev.belay.door.mcp;

import java.util.List;

/**
 * Completion of resource template variables and prompt arguments, whatever the SDK: a workspace path, a journal
 * commit id, a test command, each from what the guarded catalog lists.
 */
final class Completions {

    private final WorkspaceResources workspace;
    private final JournalResources journal;
    private final Prompts prompts;

    Completions(WorkspaceResources workspace, JournalResources journal, Prompts prompts) {
        this.workspace = workspace;
        this.journal = journal;
        this.prompts = prompts;
    }

    /** Values for a template's variable; none for a template or variable Belay does not complete. */
    WorkspaceResources.Completion resource(String uriTemplate, String variable, String value, String session) {
        if (ResourceUris.FILE_TEMPLATE.equals(uriTemplate) && "path".equals(variable)) {
            return workspace.complete(value, false, session);
        }
        if (ResourceUris.COMMIT_TEMPLATE.equals(uriTemplate) && "id".equals(variable)) {
            return journal.completeId(value, session);
        }
        return WorkspaceResources.Completion.of(List.of(), "");
    }

    WorkspaceResources.Completion prompt(String name, String argument, String value, String session) {
        return prompts.complete(name, argument, value, session);
    }
}
