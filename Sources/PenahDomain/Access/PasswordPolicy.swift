/// NIST SP 800-63B style: length, not composition. 12 to 128 characters of any Unicode, no forced
/// rotation, refused when it is one of the most common passwords or made of one repeated symbol.
public enum PasswordPolicy {
    public static let minimumLength = 12
    public static let maximumLength = 128

    /// The problem code (`error.<code>` in the catalogue), or nil when the password is acceptable.
    public static func problem(with password: String, username: String) -> String? {
        let length = password.count
        if length < minimumLength { return "passwordTooShort" }
        if length > maximumLength { return "passwordTooLong" }
        let key = AzText.searchKey(password)
        if Set(key).count <= 2 { return "passwordCommon" }
        if CommonPasswords.set.contains(key) || key.contains(AzText.searchKey(username)) && username.count >= 4 {
            return "passwordCommon"
        }
        return nil
    }
}
