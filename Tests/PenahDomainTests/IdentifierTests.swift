import Testing
@testable import PenahDomain

@Suite("Identifiers")
struct IdentifierTests {
    @Test("valid FINs are normalised to upper-case ASCII", arguments: [
        ("5ABCD7K", "5ABCD7K"), ("5abcd7k", "5ABCD7K"), (" 12XY9ZP ", "12XY9ZP"),
    ])
    func validFIN(input: String, expected: String) {
        #expect(FIN(input)?.value == expected)
    }

    @Test("invalid FINs are refused", arguments: [
        "", "5ABCD7", "5ABCD7KK", "5ABCDIK", "5ABCDOK", "5ABCD-K", "5ABCDƏK", "'><scr", "1' OR 1=1--", "5abcdik",
    ])
    func invalidFIN(input: String) {
        #expect(FIN(input) == nil)
    }

    @Test("phones in the forms people write", arguments: [
        ("+994 50 123 45 67", "501234567"), ("994501234567", "501234567"), ("050-123-45-67", "501234567"),
        ("(012) 555 12 34", "125551234"), ("0701234567", "701234567"),
    ])
    func validPhone(input: String, digits: String) {
        let phone = PhoneNumber(input)
        #expect(phone?.nationalDigits == digits)
    }

    @Test("phone formatting")
    func phoneFormatting() throws {
        let phone = try #require(PhoneNumber("+994501234567"))
        #expect(phone.e164 == "+994501234567")
        #expect(phone.national == "050 123 45 67")
        #expect(phone.international == "+994 50 123 45 67")
    }

    @Test("invalid phones are refused", arguments: [
        "", "12345", "+7 912 345 67 89", "050 123 45 6", "0501234567890", "+994 050 123 45 67x", "99+4501234567",
        "<script>", String(repeating: "5", count: 100),
    ])
    func invalidPhone(input: String) {
        #expect(PhoneNumber(input) == nil)
    }

    @Test("ID card shapes warn, never block")
    func documentShapes() {
        #expect(IdentityDocumentNumber.shape(of: "AZE12345678") == .idCardNew)
        #expect(IdentityDocumentNumber.shape(of: "aa 1234567") == .idCardOld)
        #expect(IdentityDocumentNumber.shape(of: "P1234567") == .unrecognised)
        #expect(IdentityDocumentNumber.shape(of: "AZE1234567") == .unrecognised)
    }
}
