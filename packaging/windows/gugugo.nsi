; The Windows installer: per user (no administrator rights), into %LOCALAPPDATA%\Programs\Gugugo, with a Start-menu
; entry and an entry in Settings > Apps. The uninstaller removes the program and asks before it removes the user's
; models (%LOCALAPPDATA%\Gugugo) and history and settings (%APPDATA%\fyne\<app id>); silent (/S), it keeps them.
; make windows-package passes VERSION (0.1.0), VERSION4 (0.1.0.0), SRC (build/windows) and OUT (the setup file).
; A 64-bit installer: the program is 64-bit only, and $SYSDIR is then the System32 that holds the 64-bit Visual C++
; runtime the check below looks for.
Target amd64-unicode
SetCompressor /SOLID lzma
!include "MUI2.nsh"
!include "FileFunc.nsh"

!define APPID "io.github.gugugo_desktop.gugugo"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Gugugo"

Name "Gugugo"
OutFile "${OUT}"
InstallDir "$LOCALAPPDATA\Programs\Gugugo"
InstallDirRegKey HKCU "${UNINSTKEY}" "InstallLocation"
RequestExecutionLevel user
ManifestDPIAware true

VIProductVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "Gugugo"
VIAddVersionKey /LANG=1033 "FileDescription" "Gugugo setup"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Gugugo Desktop authors"

!define MUI_ICON "gugugo.ico"
!define MUI_UNICON "gugugo.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\gugugo.exe"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Korean"

LangString VcMissing ${LANG_ENGLISH} "Gugugo's translation engine (llama.cpp) needs the Microsoft Visual C++ 2015-2022 Redistributable (x64), version 14.40 or later, which this computer does not have. Gugugo is installed, but it cannot translate until you install it from https://aka.ms/vs/17/release/vc_redist.x64.exe"
LangString VcMissing ${LANG_KOREAN} "Gugugo의 번역 엔진(llama.cpp)에는 Microsoft Visual C++ 2015-2022 재배포 가능 패키지(x64) 14.40 이상이 필요한데, 이 컴퓨터에는 없습니다. Gugugo는 설치되었지만 https://aka.ms/vs/17/release/vc_redist.x64.exe 에서 설치하기 전에는 번역할 수 없습니다."
LangString RemoveData ${LANG_ENGLISH} "Also remove your downloaded models, translation history and settings?"
LangString RemoveData ${LANG_KOREAN} "내려받은 모델과 번역 기록, 설정도 지울까요?"

Section "Gugugo"
	SetOutPath "$INSTDIR"
	File "${SRC}\gugugo.exe"
	File "${SRC}\gugugo-cli.exe"
	File "${SRC}\LICENSE.llama.cpp.txt"
	File "${SRC}\OFL-NanumGothic.txt"
	; An upgrade replaces the libraries as a whole: llama.cpp loads every CPU variant it finds in lib\.
	RMDir /r "$INSTDIR\lib"
	SetOutPath "$INSTDIR\lib"
	File "${SRC}\lib\*.dll"
	SetOutPath "$INSTDIR\lib\gpu"
	File "${SRC}\lib\gpu\*.dll"
	SetOutPath "$INSTDIR"
	WriteUninstaller "$INSTDIR\uninstall.exe"
	CreateShortcut "$SMPROGRAMS\Gugugo.lnk" "$INSTDIR\gugugo.exe" "" "$INSTDIR\gugugo.exe" 0 SW_SHOWNORMAL "" "Offline Korean-English translator"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "Gugugo"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "Gugugo Desktop"
	WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\gugugo.exe"
	WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0
	; The prebuilt llama.cpp for Windows is built with Visual C++ and needs its runtime, which most computers have,
	; at 14.40 or later: its DLLs use the std::mutex of Visual Studio 2022 17.10, which crashes on older runtimes.
	IfFileExists "$SYSDIR\vcruntime140_1.dll" 0 vcmissing
	ClearErrors
	GetDLLVersion "$SYSDIR\msvcp140.dll" $R0 $R1
	IfErrors vcmissing
	IntOp $R2 $R0 >> 16
	IntOp $R3 $R0 & 0xFFFF
	IntCmp $R2 14 0 vcmissing vcok
	IntCmp $R3 40 vcok vcmissing vcok
	vcmissing:
	MessageBox MB_OK|MB_ICONEXCLAMATION "$(VcMissing)" /SD IDOK
	vcok:
SectionEnd

Section "Uninstall"
	Delete "$SMPROGRAMS\Gugugo.lnk"
	Delete "$INSTDIR\gugugo.exe"
	Delete "$INSTDIR\gugugo-cli.exe"
	Delete "$INSTDIR\LICENSE.llama.cpp.txt"
	Delete "$INSTDIR\OFL-NanumGothic.txt"
	RMDir /r "$INSTDIR\lib"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
	DeleteRegKey HKCU "${UNINSTKEY}"
	; The GPU plugins' test verdicts are the program's, not the user's.
	Delete "$LOCALAPPDATA\Gugugo\gpu-backends.json"
	MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "$(RemoveData)" /SD IDNO IDNO keep
	RMDir /r "$LOCALAPPDATA\Gugugo"
	RMDir /r "$APPDATA\fyne\${APPID}"
	keep:
	RMDir "$LOCALAPPDATA\Gugugo"
SectionEnd
