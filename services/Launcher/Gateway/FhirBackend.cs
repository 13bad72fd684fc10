namespace Chronicle.Launcher.Gateway;

public enum BackendState
{
    /// <summary>Not part of this run (not built, say); <see cref="FhirBackend.Reason"/> says why.</summary>
    NotRunning,
    Starting,
    Ready,
    Stopped,
}

/// <summary>A service behind the gateway: the resource types it owns, where its FHIR API is, and whether it can answer now.</summary>
public sealed class FhirBackend(string service, IReadOnlyList<string> resourceTypes)
{
    private volatile BackendState _state = BackendState.NotRunning;
    private volatile string? _reason;

    public string Service { get; } = service;

    public IReadOnlyList<string> ResourceTypes { get; } = resourceTypes;

    /// <summary>The service's own FHIR base, e.g. http://127.0.0.1:5100/fhir; known once it has ports.</summary>
    public Uri? FhirBase { get; private set; }

    public BackendState State => _state;

    public string? Reason => _reason;

    public void Starting(Uri fhirBase)
    {
        FhirBase = fhirBase;
        _state = BackendState.Starting;
    }

    public void Ready() => _state = BackendState.Ready;

    public void Stopped(string reason) => (_reason, _state) = (reason, BackendState.Stopped);

    public void NotRunning(string reason) => (_reason, _state) = (reason, BackendState.NotRunning);

    /// <summary>Why requests for its resources cannot be answered now, for a 503.</summary>
    public string Unavailability() => State switch
    {
        BackendState.Starting => $"The {Service} service is starting; try again shortly.",
        BackendState.Stopped => $"The {Service} service has stopped ({Reason}).",
        BackendState.NotRunning => $"The {Service} service is not running ({Reason}).",
        _ => $"The {Service} service did not answer.",
    };
}
