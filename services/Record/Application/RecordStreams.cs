using Chronicle.Record.Domain;

namespace Chronicle.Record.Application;

/// <summary>The streams the record service writes besides patients' own (<see cref="PatientId.StreamName"/>).</summary>
internal static class RecordStreams
{
    public static string NhsNumberReservation(NhsNumber nhsNumber) => $"nhs-number-{nhsNumber.Value}";
}
