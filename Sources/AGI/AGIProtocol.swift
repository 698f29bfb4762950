/// The AGI protocol.
public enum AGIProtocol {}
