package dev.belay.tool.code;

import dev.belay.runtime.BoundedOutput;
import dev.belay.runtime.ExecSpec;
import dev.belay.runtime.Execution;
import dev.belay.runtime.Runtime;
import dev.belay.tool.Failure;
import dev.belay.tool.ToolException;
import dev.belay.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DefinitionCapabilities;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesCapabilities;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DocumentSymbolCapabilities;
import org.eclipse.lsp4j.FileChangeType;
import org.eclipse.lsp4j.FileEvent;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.PublishDiagnosticsCapabilities;
import org.eclipse.lsp4j.ReferencesCapabilities;
import org.eclipse.lsp4j.RenameCapabilities;
import org.eclipse.lsp4j.SymbolCapabilities;
import org.eclipse.lsp4j.SynchronizationCapabilities;
import org.eclipse.lsp4j.TextDocumentClientCapabilities;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.WindowClientCapabilities;
import org.eclipse.lsp4j.WorkspaceClientCapabilities;
import org.eclipse.lsp4j.WorkspaceEditCapabilities;
import org.eclipse.lsp4j.WorkspaceFolder;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * One language server of one workspace: a process of the workspace's runtime ({@code node SCRIPT --stdio}) that
 * LSP4J speaks to over the process's stdin and stdout. Before every question the server is told what changed in the
 * workspace since the last one, whichever tool or command changed it ({@link #sync}: the journal's file watcher names
 * the paths), so it never answers about files as they were. One question at a time.
 */
final class ServerSession implements AutoCloseable {

    /** How long the server has to start and answer {@code initialize}. */
    private static final Duration START = Duration.ofSeconds(60);

    /** A document the server has open: its version and the text it was given. */
    private record Document(int version, String text, long sentAt) {}

    private final Language language;
    private final Workspace workspace;
    private final Uris uris;
    private final Execution process;
    private final LanguageServer server;
    private final ServerEvents events;
    private final BoundedOutput stderr;
    private final Map<String, Document> open = new HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** The journal's change position the server's view matches; -1 when changes cannot be known. */
    private long position;

    private volatile long lastUsedNanos = System.nanoTime();

    private ServerSession(
            Language language,
            Workspace workspace,
            Uris uris,
            Execution process,
            LanguageServer server,
            ServerEvents events,
            BoundedOutput stderr,
            long position) {
        this.language = language;
        this.workspace = workspace;
        this.uris = uris;
        this.process = process;
        this.server = server;
        this.events = events;
        this.stderr = stderr;
        this.position = position;
    }

    /**
     * Starts the language's server in the runtime and initializes it for the workspace.
     *
     * @param uris the workspace's files as the runtime shows them to the server
     * @param servers where {@code belay lsp install} put the servers (shown read-only by isolating runtimes)
     * @param threads runs LSP4J's reader and the server's requests to Belay
     */
    static ServerSession start(
            Language language,
            Workspace workspace,
            Runtime runtime,
            Uris uris,
            Path servers,
            Map<String, String> env,
            ExecutorService threads) {
        Path script = language.script(servers);
        if (!script.toFile().isFile()) {
            throw new ToolException(
                    Failure.NOT_FOUND,
                    "The " + language.id() + " language server is not installed. Install it with: belay lsp install "
                            + language.id() + " (it needs node and npm).");
        }
        long position = workspace.journal().changePosition();
        Execution process;
        try {
            process = runtime.start(
                    new ExecSpec(language.command(LanguageServers.node(servers), servers), workspace.root(), env));
        } catch (IOException e) {
            throw new ToolException(
                    Failure.FAILED, "Cannot start the " + language.id() + " language server: " + e.getMessage());
        }
        BoundedOutput stderr = BoundedOutput.drain(process.stderr(), 4096);
        ServerEvents events = new ServerEvents(language);
        Launcher<LanguageServer> launcher = new LSPLauncher.Builder<LanguageServer>()
                .setLocalService(events)
                .setRemoteInterface(LanguageServer.class)
                .setInput(process.stdout())
                .setOutput(process.stdin())
                .setExecutorService(threads)
                .create();
        launcher.startListening();
        ServerSession session = new ServerSession(
                language, workspace, uris, process, launcher.getRemoteProxy(), events, stderr, position);
        try {
            session.initialize();
        } catch (RuntimeException e) {
            process.kill();
            throw e;
        }
        return session;
    }

    private void initialize() {
        String root = uris.root();
        InitializeParams params = new InitializeParams();
        // no process id: in a sandbox the server would look for Belay's in a PID namespace that has not got it
        params.setRootUri(root);
        params.setWorkspaceFolders(
                List.of(new WorkspaceFolder(root, workspace.root().getFileName().toString())));
        params.setCapabilities(capabilities());
        params.setInitializationOptions(language.options());
        CompletableFuture<?> started = server.initialize(params);
        try {
            CompletableFuture.anyOf(started, process.exit()).get(START.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new ToolException(
                    Failure.TIMED_OUT,
                    "The " + language.id() + " language server did not start within " + START.toSeconds() + " s."
                            + stderrTail());
        } catch (ExecutionException | CancellationException e) {
            throw new ToolException(
                    Failure.FAILED,
                    "The " + language.id() + " language server failed to start: " + e.getMessage() + stderrTail());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(Failure.FAILED, "interrupted while the language server started");
        }
        if (!started.isDone()) {
            // what it said on its way out tells why: read to its end (the process is gone, so it ends at once)
            CompletableFuture.anyOf(
                            stderr.closed(),
                            CompletableFuture.runAsync(
                                    () -> {}, CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS)))
                    .join();
            throw new ToolException(
                    Failure.FAILED,
                    "The " + language.id() + " language server exited as it started (is node installed in this "
                            + "runtime?)." + stderrTail());
        }
        server.initialized(new InitializedParams());
    }

    private static ClientCapabilities capabilities() {
        WorkspaceClientCapabilities workspace = new WorkspaceClientCapabilities();
        workspace.setWorkspaceFolders(true);
        workspace.setConfiguration(true);
        workspace.setDidChangeWatchedFiles(new DidChangeWatchedFilesCapabilities(true));
        workspace.setSymbol(new SymbolCapabilities(false));
        WorkspaceEditCapabilities edits = new WorkspaceEditCapabilities();
        edits.setDocumentChanges(true);
        workspace.setWorkspaceEdit(edits);
        TextDocumentClientCapabilities text = new TextDocumentClientCapabilities();
        DocumentSymbolCapabilities symbols = new DocumentSymbolCapabilities();
        symbols.setHierarchicalDocumentSymbolSupport(true);
        text.setDocumentSymbol(symbols);
        text.setDefinition(new DefinitionCapabilities(false));
        text.setReferences(new ReferencesCapabilities(false));
        text.setRename(new RenameCapabilities(false, false));
        PublishDiagnosticsCapabilities diagnostics = new PublishDiagnosticsCapabilities();
        diagnostics.setVersionSupport(true);
        text.setPublishDiagnostics(diagnostics);
        text.setSynchronization(new SynchronizationCapabilities(false, false, false));
        WindowClientCapabilities window = new WindowClientCapabilities();
        window.setWorkDoneProgress(true);
        ClientCapabilities capabilities = new ClientCapabilities(workspace, text, null);
        capabilities.setWindow(window);
        return capabilities;
    }

    Language language() {
        return language;
    }

    boolean alive() {
        return !process.exit().isDone();
    }

    long idleNanos() {
        return System.nanoTime() - lastUsedNanos;
    }

    /**
     * Asks the server one question, after telling it what changed. The files named are opened first: some servers
     * (tsserver) know a project only through an open file of it.
     *
     * @param wait how long to wait for the answer; past it the server is told to cancel, and the caller is told how
     *     far its indexing is
     */
    <T> T ask(List<String> files, Duration wait, Function<LanguageServer, CompletableFuture<T>> question) {
        return ask(files, wait, true, question);
    }

    /**
     * Asks a question about one file alone (its outline), which most servers answer without knowing the rest of the
     * project: it need not wait until the server has found the project's files, unless the language says so.
     */
    <T> T askAboutFile(String file, Duration wait, Function<LanguageServer, CompletableFuture<T>> question) {
        return ask(List.of(file), wait, !language.outlinesAtOnce(), question);
    }

    private <T> T ask(
            List<String> files,
            Duration wait,
            boolean needsProject,
            Function<LanguageServer, CompletableFuture<T>> question) {
        lock.lock();
        try {
            lastUsedNanos = System.nanoTime();
            long deadline = System.nanoTime() + wait.toNanos();
            sync();
            for (String file : files) {
                openDocument(file);
            }
            try {
                if (needsProject && !events.awaitProject(wait.toMillis())) {
                    throw new ToolException(
                            Failure.TIMED_OUT,
                            "The " + language.id() + " language server is still looking for the project's files after "
                                    + wait.toSeconds() + " s. Ask again in a moment; outlines of single files "
                                    + "(code_symbols with path) answer first.");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ToolException(Failure.FAILED, "interrupted while waiting for the language server");
            }
            CompletableFuture<T> answer = question.apply(server);
            try {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                return answer.get(left, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                answer.cancel(true);
                throw new ToolException(
                        Failure.TIMED_OUT,
                        "The " + language.id() + " language server did not answer within " + wait.toSeconds() + " s"
                                + busy().map(b -> " (still working: " + b + ")").orElse("")
                                + ". Ask again in a moment; outlines of single files (code_symbols with path) "
                                + "answer first.");
            } catch (ExecutionException e) {
                if (e.getCause() instanceof ResponseErrorException error) {
                    throw new ToolException(
                            Failure.FAILED,
                            "The " + language.id() + " language server refused: "
                                    + error.getResponseError().getMessage());
                }
                throw new ToolException(
                        Failure.FAILED,
                        "The " + language.id() + " language server failed: " + e.getCause() + stderrTail());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ToolException(Failure.FAILED, "interrupted while waiting for the language server");
            }
        } finally {
            lastUsedNanos = System.nanoTime();
            lock.unlock();
        }
    }

    /** What the server is still working on ({@code $/progress}), e.g. indexing and how far it is. */
    Optional<String> busy() {
        return events.busy();
    }

    /** Whether the server has any document open. */
    boolean hasOpenDocuments() {
        lock.lock();
        try {
            return !open.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** The text of a document as the server has it, if open. */
    Optional<String> text(String file) {
        lock.lock();
        try {
            return Optional.ofNullable(open.get(file)).map(Document::text);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The diagnostics of the given files, once the server has caught up with their latest change: it published for
     * each at its current version and then nothing for a moment (a change to one file can change another's).
     *
     * @param files the files to check; empty for every file the server has open
     * @return each file's diagnostics, and whether the server caught up before {@code wait} ran out
     */
    Checked diagnostics(List<String> files, Duration wait) {
        List<String> checked = new ArrayList<>();
        lock.lock();
        try {
            lastUsedNanos = System.nanoTime();
            sync();
            for (String file : files) {
                openDocument(file);
            }
            checked.addAll(files.isEmpty() ? open.keySet().stream().sorted().toList() : files);
            for (String file : checked) {
                reopen(file);
            }
            long deadline = System.nanoTime() + wait.toNanos();
            boolean caughtUp;
            while (!(caughtUp = caughtUp(checked)) && System.nanoTime() < deadline) {
                events.awaitPublication(Math.min(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            Map<String, List<org.eclipse.lsp4j.Diagnostic>> found = new HashMap<>();
            for (String file : checked) {
                found.put(
                        file,
                        events.published(uris.of(file))
                                .map(ServerEvents.Published::diagnostics)
                                .orElse(List.of()));
            }
            return new Checked(found, caughtUp);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(Failure.FAILED, "interrupted while waiting for diagnostics");
        } finally {
            lastUsedNanos = System.nanoTime();
            lock.unlock();
        }
    }

    /** Diagnostics per file, and whether the server had caught up with every change when they were taken. */
    record Checked(Map<String, List<org.eclipse.lsp4j.Diagnostic>> byFile, boolean caughtUp) {}

    private boolean caughtUp(List<String> files) {
        if (events.quietNanos() < language.quiet().toNanos() || busy().isPresent()) {
            return false;
        }
        for (String file : files) {
            Document document = open.get(file);
            Optional<ServerEvents.Published> published = events.published(uris.of(file));
            boolean fresh = document != null
                    && published.isPresent()
                    && (published.get().version() != null
                            ? published.get().version() >= document.version()
                            : published.get().sequence() > document.sentAt());
            if (!fresh) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tells the server what changed since it last looked: open documents get their new text (or are closed when
     * deleted), changed files of its language are opened so their diagnostics follow, and every changed path is
     * reported as a watched-file event. When the journal cannot name the paths (too many at once), every open
     * document is compared with its file instead.
     */
    private void sync() {
        long now = workspace.journal().changePosition();
        Optional<Set<String>> changed =
                now >= 0 && position >= 0 ? workspace.journal().changedBetween(position, now) : Optional.empty();
        List<FileEvent> watched = new ArrayList<>();
        for (String path : changed.orElseGet(() -> Set.copyOf(open.keySet()))) {
            if (language.owns(path)
                    || language.markers().contains(Path.of(path).getFileName().toString())) {
                refresh(path, watched);
            }
        }
        if (!watched.isEmpty()) {
            server.getWorkspaceService().didChangeWatchedFiles(new DidChangeWatchedFilesParams(watched));
        }
        position = now;
    }

    private void refresh(String path, List<FileEvent> watched) {
        Optional<String> text = read(path);
        Document document = open.get(path);
        String uri = uris.of(path);
        if (text.isEmpty()) {
            if (document != null) {
                open.remove(path);
                server.getTextDocumentService()
                        .didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
            }
            watched.add(new FileEvent(uri, FileChangeType.Deleted));
            return;
        }
        watched.add(new FileEvent(uri, document == null ? FileChangeType.Created : FileChangeType.Changed));
        if (document == null) {
            if (language.owns(path)) {
                openDocument(path);
            }
        } else if (!document.text().equals(text.get())) {
            Document next = new Document(document.version() + 1, text.get(), events.sequence());
            open.put(path, next);
            server.getTextDocumentService()
                    .didChange(new DidChangeTextDocumentParams(
                            new VersionedTextDocumentIdentifier(uri, next.version()),
                            List.of(new TextDocumentContentChangeEvent(next.text()))));
        }
    }

    /**
     * Closes a document and opens it again, so that the server publishes its diagnostics afresh: some servers
     * (typescript-language-server) publish only what changed, and so say nothing of a file that stayed clean.
     */
    private void reopen(String path) {
        Document document = open.remove(path);
        String uri = uris.of(path);
        server.getTextDocumentService().didClose(new DidCloseTextDocumentParams(new TextDocumentIdentifier(uri)));
        Document next = new Document(document.version() + 1, document.text(), events.sequence());
        open.put(path, next);
        server.getTextDocumentService()
                .didOpen(new DidOpenTextDocumentParams(
                        new TextDocumentItem(uri, language.languageId(path), next.version(), next.text())));
    }

    /** Opens a file with the server, unless it is open already. */
    private void openDocument(String path) {
        if (open.containsKey(path)) {
            return;
        }
        String text = read(path)
                .orElseThrow(() -> new ToolException(
                        Failure.NOT_FOUND,
                        "No source file '" + path + "' (or it is larger than 4 MiB, or not UTF-8 text)."));
        Document document = new Document(1, text, events.sequence());
        open.put(path, document);
        server.getTextDocumentService()
                .didOpen(new DidOpenTextDocumentParams(
                        new TextDocumentItem(uris.of(path), language.languageId(path), 1, text)));
    }

    private Optional<String> read(String path) {
        return Texts.read(workspace, path);
    }

    private String stderrTail() {
        String text = stderr.text().strip();
        return text.isEmpty() ? "" : " Its last output: " + text.substring(Math.max(0, text.length() - 600));
    }

    /** Asks the server to shut down and exit, and kills it if it does not within a few seconds. */
    @Override
    public void close() {
        try {
            server.shutdown().get(3, TimeUnit.SECONDS);
            server.exit();
            process.exit().get(3, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | CancellationException e) {
            // it did not go quietly: killed below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process.kill();
        }
    }
}
