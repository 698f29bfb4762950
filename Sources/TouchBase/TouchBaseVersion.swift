/// The version of TouchBase, printed by `touchbase --version` and logged at start-up.
public let touchBaseVersion = "0.1.0"
