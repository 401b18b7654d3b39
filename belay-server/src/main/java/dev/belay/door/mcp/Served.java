package dev.belay.door.mcp;

import dev.belay.tool.ToolCaller;

/**
 * What a door serves beside its tools, the same for both protocol versions: resources, prompts and completions, all
 * read through the guarded caller under the door's name.
 */
record Served(CatalogReads reads, McpResources resources, Prompts prompts, Completions completions) {

    static Served of(ToolCaller caller, String door) {
        CatalogReads reads = new CatalogReads(caller, door);
        WorkspaceResources workspace = new WorkspaceResources(reads);
        JournalResources journal = new JournalResources(reads);
        Prompts prompts = new Prompts(reads, workspace, journal);
        return new Served(
                reads, new McpResources(workspace, journal), prompts, new Completions(workspace, journal, prompts));
    }
}
