import qrcode
# Fixtures for Tests/PenahServerTests/Web/QRCodeTests.swift, made with python-qrcode (an independent
# encoder): each block is "text<TAB>version<TAB>mask", then the rows of the matrix, then a blank line.
cases = [("HELLO", 0), ("https://example.org/ab", 5),
         ("otpauth://totp/Penah:lawyer.a1b2c3?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Penah", 3),
         ("otpauth://totp/Penah:%C9%99li.h%C9%99s%C9%99nov?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DP&issuer=Penah&algorithm=SHA1&digits=6&period=30", 2),
         ("x" * 150, 7), ("y" * 213, 4)]
for text, mask in cases:
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=mask, border=0)
    q.add_data(qrcode.util.QRData(text.encode(), mode=qrcode.util.MODE_8BIT_BYTE))
    q.make(fit=True)
    print(f"{text}\t{q.version}\t{mask}")
    print("\n".join("".join("1" if m else "0" for m in row) for row in q.modules))
    print()
