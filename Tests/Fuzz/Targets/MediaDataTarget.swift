import MediaData

extension FuzzTarget {
    /// Configuration Manager's media data (`SMS/data/Variables.dat`, Policy.xml) as
    /// `mediafs inspect` reads it: the envelope under the default password, then the
    /// variable list (UTF-16LE XML) inside. The variable list is also decoded from the
    /// input itself, because mutated ciphertext never decrypts to a list. A list
    /// that decodes must encode back to one that decodes to the same variables.
    static let mediaData = FuzzTarget(name: "media-data") { bytes in
        var plaintexts = [bytes]
        if let opened = try? MediaDataEnvelope.decrypt(bytes, password: MediaDataEnvelope.defaultPassword, source: "fuzz.dat") {
            plaintexts.append(opened.plaintext)
        }
        for plaintext in plaintexts {
            guard let list = try? MediaVariableList.decode(plaintext, source: "fuzz.dat") else { continue }
            let encoded = MediaVariableList.encode(list.variables)
            let again = Result { () throws(MediaDataError) in try MediaVariableList.decode(encoded, source: "re-encoded") }
            let same = (try? again.get()).map { $0.variables.map(\.name) == list.variables.map(\.name)
                                                && $0.variables.map(\.value) == list.variables.map(\.value) } == true
            precondition(same, "a decoded variable list does not survive encode → decode: \(list.variables.map { [$0.name, $0.value] }) became \(again.map { $0.variables.map { [$0.name, $0.value] } })")
        }
    }
}
