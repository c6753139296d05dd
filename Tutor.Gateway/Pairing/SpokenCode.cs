namespace Tutor.Gateway.Pairing;

/// <summary>How a pairing code is said: digit by digit, twice, so a parent can write it down.</summary>
public static class SpokenCode
{
    public static string For(string code, string language)
    {
        var digits = string.Join(", ", code.ToCharArray());
        return language == "es"
            ? $"Tu código para emparejar Tutor es: {digits}. Otra vez: {digits}."
            : $"Your Tutor pairing code is: {digits}. Again: {digits}.";
    }
}
