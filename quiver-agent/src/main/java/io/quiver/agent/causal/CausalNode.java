package io.quiver.agent.causal;

import io.quiver.agent.store.Inputs;

/**
 * One end of a causal edge: a named event (any text, as {@code causal_add_edge} takes it) or a stored memory
 * ({@code {type: episode, id: 7}}). {@link #key()} is what the edge store indexes and matches exactly; the two kinds
 * have distinct prefixes, so an event named like a memory key never matches the memory.
 */
public sealed interface CausalNode {
  /** The indexed form: {@code event:<name>} or {@code memory:<type>:<id>}. */
  String key();

  /** How replies show the node: the event's name, or {@code <type> #<id>}. */
  String display();

  record Event(String name) implements CausalNode {
    public Event {
      Inputs.text(name, "event");
    }

    @Override
    public String key() {
      return "event:" + name;
    }

    @Override
    public String display() {
      return name;
    }
  }

  record Memory(String type, long id) implements CausalNode {
    public Memory {
      Inputs.text(type, "type");
      if (type.contains(":")) {
        throw Inputs.invalid("type", "a memory type has no ':', got '" + type + "'");
      }
      Inputs.atLeast(id, 0, "id");
    }

    @Override
    public String key() {
      return "memory:" + type + ":" + id;
    }

    @Override
    public String display() {
      return type + " #" + id;
    }
  }

  static CausalNode event(String name) {
    return new Event(name);
  }

  static CausalNode memory(String type, long id) {
    return new Memory(type, id);
  }

  /** The node whose {@link #key()} is {@code key}. */
  static CausalNode fromKey(String key) {
    if (key.startsWith("event:")) {
      return new Event(key.substring(6));
    }
    if (key.startsWith("memory:")) {
      int colon = key.lastIndexOf(':');
      return new Memory(key.substring(7, colon), Long.parseLong(key.substring(colon + 1)));
    }
    throw new IllegalArgumentException("not a causal node key: " + key);
  }
}
