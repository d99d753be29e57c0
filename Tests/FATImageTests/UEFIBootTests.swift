import Foundation
import XCTest
import MediaTree
import RegionMap
@testable import FATImage

/// The USB disk boots on UEFI (qemu + OVMF, attached as a USB stick) from
/// EFI/BOOT/BOOTX64.EFI: GRUB prints the marker. A disk without EFI/ must not,
/// or the test could not fail. Recipe: shared/boot-testing.md, helpers in
/// Scripts/lib/payloads.sh.
final class UEFIBootTests: XCTestCase {
    func testUSBDiskBootsOnUEFIAndControlDoesNot() throws {
        let work = try Support.temporaryFolder("boot")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let payloads = work + "/payloads"
        let made = try Support.bash("source Scripts/lib/payloads.sh && make_boot_payloads '\(payloads)'")
        XCTAssertEqual(made.status, 0, "make_boot_payloads: \(made.output)")
        let loader = try [UInt8](Data(contentsOf: URL(fileURLWithPath: payloads + "/BOOTX64.EFI")))
        XCTAssertGreaterThan(loader.count, 100_000)

        let content: [(String, [UInt8])] = [
            ("SMS/data/TsmBootstrap.ini", Array("[Boot]\r\n".utf8)),
            ("MediaLabel.txt", Array("Boot test\r\n".utf8)),
        ]
        let bootable = try Support.tree(content + [("EFI/BOOT/BOOTX64.EFI", loader)], label: "Boot test")
        let control = try Support.tree(content + [("boot/BOOTX64.EFI", loader)], label: "Boot test")
        let bootImage = work + "/bootable.img", controlImage = work + "/control.img"
        try Support.writeLayout(try FATImage.disk(bootable, diskSize: nil, label: "Boot test"), to: bootImage)
        try Support.writeLayout(try FATImage.disk(control, diskSize: nil, label: "Boot test"), to: controlImage)

        // Both boots at once: the control only ends when qemu's timeout does.
        let bootLog = work + "/bootable.log", controlLog = work + "/control.log"
        let both = try Support.bash("""
            source Scripts/lib/payloads.sh
            boot_qemu '\(bootLog)' uefi usb '\(bootImage)' & bootable=$!
            BOOT_TIMEOUT=60 boot_qemu '\(controlLog)' uefi usb '\(controlImage)' & control=$!
            wait $bootable; b=$?; wait $control; c=$?
            echo "bootable=$b control=$c"
            """)
        let bootText = (try? String(contentsOfFile: bootLog, encoding: .utf8)) ?? ""
        let controlText = (try? String(contentsOfFile: controlLog, encoding: .utf8)) ?? ""
        XCTAssertTrue(both.output.contains("bootable=0 "), "the USB disk did not boot (\(both.output)); qemu log:\n\(bootText.suffix(3000))")
        XCTAssertTrue(bootText.contains("MEDIA-BOOT-OK"))
        XCTAssertTrue(both.output.contains(" control=1"), "the control printed the marker (\(both.output)):\n\(controlText.suffix(3000))")
        XCTAssertFalse(controlText.contains("MEDIA-BOOT-OK"))
        XCTAssertTrue(controlText.contains("BdsDxe") || controlText.contains("Shell"), "the control did not reach the firmware:\n\(controlText.suffix(2000))")
    }
}
