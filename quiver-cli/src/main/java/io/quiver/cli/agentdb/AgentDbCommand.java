package io.quiver.cli.agentdb;

import picocli.CommandLine.Command;

/** {@code quiver agentdb}: tools for AgentDB users moving their memory to Quiver. */
@Command(name = "agentdb", mixinStandardHelpOptions = true, description = "Work with AgentDB databases.",
    subcommands = {AgentDbImportCommand.class})
public final class AgentDbCommand {}
